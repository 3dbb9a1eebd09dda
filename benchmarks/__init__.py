"""`make bench`: a synthetic register of N entries, loaded in bulk, and a timed query mix.

`sources` reads the published title lists, `generate` turns them into providers and
credential rows, `load` puts them into a separate benchmark database (COPY, documents
built set-based, GIN index after the rows), `queries` names the fixed query mix and
`measure` times it through the API and as raw SQL.
"""
