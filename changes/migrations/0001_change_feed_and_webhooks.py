"""The change feed, written by PostgreSQL, and the webhook deliveries that carry it.

- ``changes_record_event()``: a deferred constraint trigger on ``credentials_credential``
  (insert and update, row by row) writes the ``changes_changeevent`` rows of a public
  record's change when its transaction commits: one ``created`` when a record enters the
  public statuses (the trigger's arguments), ``removed`` when it leaves them, else one each
  of ``validity_changed``, ``content_changed`` and ``status_changed`` for what differs.
  Every writer meets it, bulk COPY and UPDATE included; deferred, it sees each row as the
  transaction left it and holds the feed's lock only while the transaction commits.
- ``changes_credential_document(row)``: the record's public fields as the feed shows them,
  named as in ``CredentialVersion.snapshot`` (foreign keys as ids, decimals as strings).
- ``changes_changeevent_position()``: before each event row, the feed's advisory lock
  (held until the transaction ends) and then the next position. Positions are therefore
  handed out in commit order: what a reader sees is always a prefix of the feed, so a
  cursor never passes an event that commits later.
- Events and webhook attempts are append-only (``registry_refuse_history_change``, TRUNCATE
  included); their foreign keys PROTECT.

Function bodies are frozen text (``FROZEN_FUNCTIONS``; tests/test_history_append_only.py).
The public statuses are frozen here too: tests/changes fail if PUBLIC_STATUSES changes, and
the change is a new migration re-creating the triggers.
"""

import django.contrib.postgres.fields
import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# The advisory lock key below is 0x46454544, "FEED".
PUBLIC_STATUSES = ("registered", "suspended", "expired", "withdrawn")

CREDENTIAL_DOCUMENT = """
SELECT jsonb_build_object(
    'registration_number', c.registration_number,
    'kind', c.kind,
    'title_en', c.title_en,
    'title_zh', c.title_zh,
    'qualification_type', c.qualification_type,
    'provider', c.provider_id,
    'awarding_body', c.awarding_body_id,
    'level', c.level_id,
    'area_of_study', c.area_of_study_id,
    'credits', c.credits::text,
    'ects_credits', c.ects_credits::text,
    'notional_hours', c.notional_hours,
    'guided_learning_hours', c.guided_learning_hours,
    'summary_en', c.summary_en,
    'summary_zh', c.summary_zh,
    'learning_outcomes_en', c.learning_outcomes_en,
    'learning_outcomes_zh', c.learning_outcomes_zh,
    'assessment_type', c.assessment_type,
    'supervision', c.supervision,
    'mode_of_delivery', c.mode_of_delivery,
    'quality_assurance_type', c.quality_assurance_type,
    'prerequisites', c.prerequisites,
    'languages', c.languages,
    'stackable', c.stackable,
    'further_information_url', c.further_information_url,
    'fee', c.fee::text,
    'fee_currency', c.fee_currency,
    'quality_marks', c.quality_marks,
    'valid_from', c.valid_from,
    'valid_to', c.valid_to,
    'external_register', c.external_register,
    'external_status', c.external_status
)
"""

RECORD_EVENT = """
DECLARE
    was_public boolean := TG_OP = 'UPDATE' AND OLD.status = ANY(TG_ARGV);
    is_public boolean := NEW.status = ANY(TG_ARGV);
    new_doc jsonb;
    old_doc jsonb;
    framework bigint;
    field text;
    validity_before jsonb := '{}';
    validity_after jsonb := '{}';
    content_before jsonb := '{}';
    content_after jsonb := '{}';
BEGIN
    IF NOT (was_public OR is_public) THEN
        RETURN NULL;
    END IF;
    SELECT framework_id INTO framework FROM qualifications_level WHERE id = NEW.level_id;
    new_doc := changes_credential_document(NEW);
    IF NOT was_public THEN
        INSERT INTO changes_changeevent
            (kind, credential_id, registration_number, provider_id, framework_id, before, after)
        VALUES ('created', NEW.id, NEW.registration_number, NEW.provider_id, framework, NULL,
                new_doc || jsonb_build_object('status', NEW.status));
        RETURN NULL;
    END IF;
    IF NOT is_public THEN
        INSERT INTO changes_changeevent
            (kind, credential_id, registration_number, provider_id, framework_id, before, after)
        VALUES ('removed', NEW.id, NEW.registration_number, NEW.provider_id, framework,
                jsonb_build_object('status', OLD.status),
                jsonb_build_object('status', NEW.status));
        RETURN NULL;
    END IF;
    old_doc := changes_credential_document(OLD);
    FOR field IN
        SELECT key FROM jsonb_each(new_doc) WHERE new_doc -> key IS DISTINCT FROM old_doc -> key
    LOOP
        IF field IN ('valid_from', 'valid_to') THEN
            validity_before := validity_before || jsonb_build_object(field, old_doc -> field);
            validity_after := validity_after || jsonb_build_object(field, new_doc -> field);
        ELSE
            content_before := content_before || jsonb_build_object(field, old_doc -> field);
            content_after := content_after || jsonb_build_object(field, new_doc -> field);
        END IF;
    END LOOP;
    IF validity_after <> '{}' THEN
        INSERT INTO changes_changeevent
            (kind, credential_id, registration_number, provider_id, framework_id, before, after)
        VALUES ('validity_changed', NEW.id, NEW.registration_number, NEW.provider_id, framework,
                validity_before, validity_after);
    END IF;
    IF content_after <> '{}' THEN
        INSERT INTO changes_changeevent
            (kind, credential_id, registration_number, provider_id, framework_id, before, after)
        VALUES ('content_changed', NEW.id, NEW.registration_number, NEW.provider_id, framework,
                content_before, content_after);
    END IF;
    IF OLD.status <> NEW.status THEN
        INSERT INTO changes_changeevent
            (kind, credential_id, registration_number, provider_id, framework_id, before, after)
        VALUES ('status_changed', NEW.id, NEW.registration_number, NEW.provider_id, framework,
                jsonb_build_object('status', OLD.status),
                jsonb_build_object('status', NEW.status));
    END IF;
    RETURN NULL;
END;
"""

EVENT_POSITION = """
BEGIN
    PERFORM pg_advisory_xact_lock(1178944836);
    NEW.id := nextval('changes_changeevent_position');
    NEW.recorded_at := clock_timestamp();
    RETURN NEW;
END;
"""

FROZEN_FUNCTIONS = {
    "changes_credential_document": CREDENTIAL_DOCUMENT,
    "changes_record_event": RECORD_EVENT,
    "changes_changeevent_position": EVENT_POSITION,
}

STATUS_LIST = ", ".join(f"'{status}'" for status in PUBLIC_STATUSES)
APPEND_ONLY_TABLES = ("changes_changeevent", "changes_webhookattempt")


def trigger_function(name: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
        f"AS $fn${FROZEN_FUNCTIONS[name]}$fn$;"
    )


def append_only(table: str) -> list:
    return [
        migrations.RunSQL(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION registry_refuse_history_change();",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        ),
        migrations.RunSQL(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION registry_refuse_history_change();",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        ),
    ]


SQL_OPERATIONS = [
    migrations.RunSQL(
        "CREATE SEQUENCE changes_changeevent_position"
        " OWNED BY changes_changeevent.id;",
        "DROP SEQUENCE IF EXISTS changes_changeevent_position;",
    ),
    migrations.RunSQL(
        "CREATE OR REPLACE FUNCTION changes_credential_document(c credentials_credential)"
        f" RETURNS jsonb LANGUAGE sql STABLE AS $fn${CREDENTIAL_DOCUMENT}$fn$;",
        "DROP FUNCTION IF EXISTS changes_credential_document(credentials_credential);",
    ),
    migrations.RunSQL(
        trigger_function("changes_changeevent_position"),
        "DROP FUNCTION IF EXISTS changes_changeevent_position();",
    ),
    migrations.RunSQL(
        trigger_function("changes_record_event"),
        "DROP FUNCTION IF EXISTS changes_record_event();",
    ),
    migrations.RunSQL(
        "CREATE TRIGGER changes_changeevent_position BEFORE INSERT ON changes_changeevent"
        " FOR EACH ROW EXECUTE FUNCTION changes_changeevent_position();",
        "DROP TRIGGER IF EXISTS changes_changeevent_position ON changes_changeevent;",
    ),
    migrations.RunSQL(
        "CREATE CONSTRAINT TRIGGER changes_record_created AFTER INSERT ON credentials_credential"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
        f" WHEN (NEW.status IN ({STATUS_LIST}))"
        f" EXECUTE FUNCTION changes_record_event({STATUS_LIST});",
        "DROP TRIGGER IF EXISTS changes_record_created ON credentials_credential;",
    ),
    migrations.RunSQL(
        "CREATE CONSTRAINT TRIGGER changes_record_changed AFTER UPDATE ON credentials_credential"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
        f" WHEN (OLD.status IN ({STATUS_LIST}) OR NEW.status IN ({STATUS_LIST}))"
        f" EXECUTE FUNCTION changes_record_event({STATUS_LIST});",
        "DROP TRIGGER IF EXISTS changes_record_changed ON credentials_credential;",
    ),
    *(operation for table in APPEND_ONLY_TABLES for operation in append_only(table)),
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('credentials', '0008_history_append_only'),
        ('providers', '0003_api_token_expires_at'),
        ('qualifications', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChangeEvent',
            fields=[
                ('id', models.BigIntegerField(editable=False, primary_key=True, serialize=False, verbose_name='position')),
                ('recorded_at', models.DateTimeField(editable=False, verbose_name='recorded at')),
                ('kind', models.CharField(choices=[('created', 'Added to the register'), ('content_changed', 'Content changed'), ('status_changed', 'Status changed'), ('validity_changed', 'Validity changed'), ('removed', 'Removed from the public register')], max_length=20, verbose_name='kind')),
                ('registration_number', models.CharField(max_length=40, verbose_name='registration number')),
                ('before', models.JSONField(blank=True, encoder=django.core.serializers.json.DjangoJSONEncoder, null=True, verbose_name='before')),
                ('after', models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='after')),
                ('credential', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='change_events', to='credentials.credential', verbose_name='credential')),
                ('framework', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='qualifications.framework', verbose_name='framework')),
                ('provider', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='providers.provider', verbose_name='provider')),
            ],
            options={
                'verbose_name': 'change event',
                'verbose_name_plural': 'change events',
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('delivered', 'Delivered'), ('failed', 'Failed, attempts used up')], default='pending', max_length=16, verbose_name='state')),
                ('attempts', models.PositiveIntegerField(default=0, verbose_name='attempts')),
                ('next_attempt_at', models.DateTimeField(verbose_name='next attempt at')),
                ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='sending since')),
                ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='delivered at')),
                ('last_status_code', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='last HTTP status')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('replays', models.PositiveIntegerField(default=0, verbose_name='replays')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='changes.changeevent', verbose_name='event')),
            ],
            options={
                'verbose_name': 'webhook delivery',
                'verbose_name_plural': 'webhook deliveries',
                'ordering': ['-event_id'],
            },
        ),
        migrations.CreateModel(
            name='WebhookAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='attempt')),
                ('started_at', models.DateTimeField(verbose_name='started at')),
                ('duration_ms', models.PositiveIntegerField(verbose_name='duration (ms)')),
                ('status_code', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='HTTP status')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('succeeded', models.BooleanField(verbose_name='succeeded')),
                ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attempt_log', to='changes.webhookdelivery', verbose_name='delivery')),
            ],
            options={
                'verbose_name': 'webhook attempt',
                'verbose_name_plural': 'webhook attempts',
                'ordering': ['delivery', 'number'],
            },
        ),
        migrations.CreateModel(
            name='WebhookSubscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('target_url', models.URLField(max_length=500, verbose_name='target URL')),
                ('secret', models.CharField(editable=False, max_length=80, verbose_name='signing secret')),
                ('kinds', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('created', 'Added to the register'), ('content_changed', 'Content changed'), ('status_changed', 'Status changed'), ('validity_changed', 'Validity changed'), ('removed', 'Removed from the public register')], max_length=20), blank=True, default=list, help_text='Only these kinds of change; empty for every kind.', size=None, verbose_name='kinds of change')),
                ('state', models.CharField(choices=[('active', 'Active'), ('paused', 'Paused')], default='active', max_length=16, verbose_name='state')),
                ('consecutive_failures', models.PositiveIntegerField(default=0, verbose_name='failed attempts in a row')),
                ('paused_at', models.DateTimeField(blank=True, null=True, verbose_name='paused at')),
                ('pause_reason', models.TextField(blank=True, verbose_name='why paused')),
                ('dispatched_through', models.BigIntegerField(default=0, verbose_name='dispatched through position')),
                ('framework', models.ForeignKey(blank=True, help_text='Only records at a level of this framework; blank for every framework.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='qualifications.framework', verbose_name='framework')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='webhook_subscriptions', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                ('provider', models.ForeignKey(blank=True, help_text="Only this provider's records; blank for every provider.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='webhook_subscriptions', to='providers.provider', verbose_name='provider')),
                ('registered_by', models.ForeignKey(blank=True, help_text='The registry administrator who registered this subscriber.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='registered by')),
            ],
            options={
                'verbose_name': 'webhook subscription',
                'verbose_name_plural': 'webhook subscriptions',
                'ordering': ['name', 'id'],
            },
        ),
        migrations.AddField(
            model_name='webhookdelivery',
            name='subscription',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='changes.webhooksubscription', verbose_name='subscription'),
        ),
        migrations.AddIndex(
            model_name='changeevent',
            index=models.Index(fields=['provider', 'id'], name='changeevent_provider_position'),
        ),
        migrations.AddIndex(
            model_name='changeevent',
            index=models.Index(fields=['framework', 'id'], name='changeevent_framework_position'),
        ),
        migrations.AddIndex(
            model_name='changeevent',
            index=models.Index(fields=['kind', 'id'], name='changeevent_kind_position'),
        ),
        migrations.AddIndex(
            model_name='changeevent',
            index=models.Index(fields=['credential', 'id'], name='changeevent_record_position'),
        ),
        migrations.AddConstraint(
            model_name='changeevent',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['created', 'content_changed', 'status_changed', 'validity_changed', 'removed'])), name='changes_changeevent_kind_valid'),
        ),
        migrations.AddConstraint(
            model_name='webhooksubscription',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['active', 'paused'])), name='changes_webhooksubscription_state_valid'),
        ),
        migrations.AddConstraint(
            model_name='webhooksubscription',
            constraint=models.CheckConstraint(condition=models.Q(('state', 'active'), ('paused_at__isnull', False), _connector='OR'), name='changes_webhooksubscription_paused_has_time'),
        ),
        migrations.AddIndex(
            model_name='webhookdelivery',
            index=models.Index(fields=['state', 'next_attempt_at'], name='webhookdelivery_due'),
        ),
        migrations.AddConstraint(
            model_name='webhookdelivery',
            constraint=models.UniqueConstraint(fields=('subscription', 'event'), name='changes_webhookdelivery_once_per_event'),
        ),
        migrations.AddConstraint(
            model_name='webhookdelivery',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['pending', 'sending', 'delivered', 'failed'])), name='changes_webhookdelivery_state_valid'),
        ),
        migrations.AddConstraint(
            model_name='webhookdelivery',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'sending'), _negated=True), ('claimed_at__isnull', False), _connector='OR'), name='changes_webhookdelivery_sending_is_claimed'),
        ),
        migrations.AddConstraint(
            model_name='webhookdelivery',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'delivered'), _negated=True), ('delivered_at__isnull', False), _connector='OR'), name='changes_webhookdelivery_delivered_has_time'),
        ),
        *SQL_OPERATIONS,
    ]
