"""Condition events: the append-only history of each QA condition's state.

- ``ConditionEvent`` rows say who moved a condition from which state to which, and when;
  the services write one in the transaction of every change.
- The table joins the append-only history: the shared ``registry_refuse_history_change()``
  (credentials 0008, unchanged, so no new frozen SQL) refuses UPDATE, DELETE and TRUNCATE,
  and the application role is granted SELECT and INSERT only (config.db_roles finds the
  table by its trigger). Foreign keys to the condition and the actor PROTECT.
- Conditions older than this migration get the history their row still shows: the event
  that set them (by the decision's maker, when the row was created), a confirmation of
  "met" by whoever confirmed it, a reminder when one was sent, and, for a condition since
  marked overdue or closed, a "state when condition history began" event at its last
  update, with no actor, since who or what made that change was not recorded.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


TABLE = "qa_reviews_conditionevent"
STARTED_NOTE = "Recorded when condition history began; the change itself was not recorded."


def backfill_events(apps, schema_editor):
    Condition = apps.get_model("qa_reviews", "Condition")
    ConditionEvent = apps.get_model("qa_reviews", "ConditionEvent")
    events = []
    for condition in Condition.objects.select_related("decision").iterator():
        met_at_start = (
            condition.met_confirmed_at is not None
            and condition.met_confirmed_at <= condition.created_at
        )
        first = "met" if met_at_start else "open"
        events.append(
            ConditionEvent(
                condition_id=condition.pk,
                kind="carried" if condition.carried_from_id else "created",
                from_state="",
                to_state=first,
                actor_id=condition.decision.decided_by_id,
                recorded_at=condition.created_at,
            )
        )
        if condition.reminded_at is not None and first == "open":
            events.append(
                ConditionEvent(
                    condition_id=condition.pk,
                    kind="reminded",
                    from_state="open",
                    to_state="open",
                    recorded_at=condition.reminded_at,
                )
            )
        if condition.state == first:
            continue
        if condition.state == "met":
            events.append(
                ConditionEvent(
                    condition_id=condition.pk,
                    kind="met",
                    from_state=first,
                    to_state="met",
                    actor_id=condition.met_confirmed_by_id,
                    recorded_at=condition.met_confirmed_at,
                )
            )
        else:
            events.append(
                ConditionEvent(
                    condition_id=condition.pk,
                    kind="state_at_start",
                    from_state=first,
                    to_state=condition.state,
                    recorded_at=condition.updated_at,
                    note=STARTED_NOTE,
                )
            )
    ConditionEvent.objects.bulk_create(events, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('qa_reviews', '0005_history_append_only'),
        ('credentials', '0008_history_append_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ConditionEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('created', 'Set by the decision'), ('carried', 'Carried to the correcting decision'), ('met', 'Confirmed met'), ('overdue', 'Fell overdue'), ('superseded', 'Closed: decision corrected'), ('reminded', 'Provider reminded'), ('state_at_start', 'State when condition history began')], max_length=16, verbose_name='event')),
                ('from_state', models.CharField(blank=True, choices=[('open', 'Open'), ('met', 'Met'), ('overdue', 'Overdue'), ('superseded', 'Closed: decision corrected')], help_text='Blank when the condition was set.', max_length=16, verbose_name='from')),
                ('to_state', models.CharField(choices=[('open', 'Open'), ('met', 'Met'), ('overdue', 'Overdue'), ('superseded', 'Closed: decision corrected')], max_length=16, verbose_name='to')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='recorded at')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('actor', models.ForeignKey(blank=True, help_text="Blank for the registry's daily condition check.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('condition', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='qa_reviews.condition', verbose_name='condition')),
            ],
            options={
                'verbose_name': 'condition event',
                'verbose_name_plural': 'condition events',
                'ordering': ['condition', 'recorded_at', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['created', 'carried', 'met', 'overdue', 'superseded', 'reminded', 'state_at_start'])), name='qa_reviews_conditionevent_kind_valid'), models.CheckConstraint(condition=models.Q(('to_state__in', ['open', 'met', 'overdue', 'superseded']), models.Q(('from_state', ''), ('from_state__in', ['open', 'met', 'overdue', 'superseded']), _connector='OR')), name='qa_reviews_conditionevent_states_valid')],
            },
        ),
        migrations.RunPython(backfill_events, migrations.RunPython.noop),
        migrations.RunSQL(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION registry_refuse_history_change();",
            f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
        ),
        migrations.RunSQL(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION registry_refuse_history_change();",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
        ),
    ]
