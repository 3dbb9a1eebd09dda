// On a phone the search facets sit in a <details> ("Filters"). htmx replaces the results,
// facets included, after every tick; this keeps the panel open across that swap. Without
// JavaScript each tick reloads the page and the panel simply starts closed.
(function () {
  "use strict";
  var open = false;
  document.addEventListener("htmx:beforeSwap", function () {
    var panel = document.querySelector(".filters-panel");
    open = Boolean(panel && panel.open);
  });
  document.addEventListener("htmx:afterSwap", function () {
    var panel = document.querySelector(".filters-panel");
    if (panel && open) {
      panel.open = true;
    }
  });
})();
