"""Browse counts from count tables ("cubes") kept exact by statement triggers.

Two cubes, because one over every facet dimension barely compresses the register
(80,293 combinations in 200,000 generated entries): one without the provider (it answers
the total and every facet but the provider's) and one without the area of study (the
provider facet). Writers never update a cube row: statement-level triggers append one
aggregated delta row per changed combination, so long imports and sweeps take no hot-row
lock. `credentials_facet_cube_compact()` folds the deltas in (credentials/search/cube.py);
a read sums cube and deltas in one statement, one snapshot, so counts stay exact.

The SQL is frozen here as text; the bench loader calls `credentials_facet_cube_refill()`
after its bulk load (triggers off). The app role's schema-wide SELECT, INSERT, UPDATE and
DELETE (config/db_roles.py) is what the triggers and the compactor need.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION credentials_size_band(credits numeric, hours integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- The size facet's band (credentials/search/sizes.py size_band): credits, else hours/10.
    SELECT CASE
        WHEN coalesce(credits, hours::numeric(9, 1) / 10) <= 3 THEN 'up-to-3'
        WHEN coalesce(credits, hours::numeric(9, 1) / 10) <= 15 THEN '4-15'
        WHEN coalesce(credits, hours::numeric(9, 1) / 10) <= 60 THEN '16-60'
        WHEN coalesce(credits, hours::numeric(9, 1) / 10) <= 120 THEN '61-120'
        WHEN credits IS NOT NULL OR hours IS NOT NULL THEN 'over-120'
    END
$$;

CREATE TABLE credentials_facetcount_by_area (
    level_id bigint,
    area_of_study_id bigint,
    mode_of_delivery varchar(16) NOT NULL,
    kind varchar(20) NOT NULL,
    status varchar(16) NOT NULL,
    size text,
    n bigint NOT NULL,
    CONSTRAINT credentials_facetcount_by_area_dimensions UNIQUE NULLS NOT DISTINCT
        (status, level_id, area_of_study_id, mode_of_delivery, kind, size)
);
CREATE TABLE credentials_facetdelta_by_area (LIKE credentials_facetcount_by_area);
CREATE TABLE credentials_facetcount_by_provider (
    level_id bigint,
    provider_id bigint NOT NULL,
    mode_of_delivery varchar(16) NOT NULL,
    kind varchar(20) NOT NULL,
    status varchar(16) NOT NULL,
    size text,
    n bigint NOT NULL,
    CONSTRAINT credentials_facetcount_by_provider_dimensions UNIQUE NULLS NOT DISTINCT
        (status, level_id, provider_id, mode_of_delivery, kind, size)
);
CREATE TABLE credentials_facetdelta_by_provider (LIKE credentials_facetcount_by_provider);

CREATE FUNCTION credentials_facet_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- One delta row per changed combination; an UPDATE that changes no dimension (dates,
    -- titles, documents) appends nothing.
    IF TG_OP = 'INSERT' THEN
        INSERT INTO credentials_facetdelta_by_area
            SELECT level_id, area_of_study_id, mode_of_delivery, kind, status, size, sum(n)
            FROM (SELECT level_id, area_of_study_id, provider_id, mode_of_delivery, kind, status,
                  credentials_size_band(credits, notional_hours) AS size, 1 AS n FROM new_rows) AS changed
            GROUP BY level_id, area_of_study_id, mode_of_delivery, kind, status, size
            HAVING sum(n) <> 0;
        INSERT INTO credentials_facetdelta_by_provider
            SELECT level_id, provider_id, mode_of_delivery, kind, status, size, sum(n)
            FROM (SELECT level_id, area_of_study_id, provider_id, mode_of_delivery, kind, status,
                  credentials_size_band(credits, notional_hours) AS size, 1 AS n FROM new_rows) AS changed
            GROUP BY level_id, provider_id, mode_of_delivery, kind, status, size
            HAVING sum(n) <> 0;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO credentials_facetdelta_by_area
            SELECT level_id, area_of_study_id, mode_of_delivery, kind, status, size, sum(n)
            FROM (SELECT level_id, area_of_study_id, provider_id, mode_of_delivery, kind, status,
                  credentials_size_band(credits, notional_hours) AS size, -1 AS n FROM old_rows) AS changed
            GROUP BY level_id, area_of_study_id, mode_of_delivery, kind, status, size
            HAVING sum(n) <> 0;
        INSERT INTO credentials_facetdelta_by_provider
            SELECT level_id, provider_id, mode_of_delivery, kind, status, size, sum(n)
            FROM (SELECT level_id, area_of_study_id, provider_id, mode_of_delivery, kind, status,
                  credentials_size_band(credits, notional_hours) AS size, -1 AS n FROM old_rows) AS changed
            GROUP BY level_id, provider_id, mode_of_delivery, kind, status, size
            HAVING sum(n) <> 0;
    ELSE
        INSERT INTO credentials_facetdelta_by_area
            SELECT level_id, area_of_study_id, mode_of_delivery, kind, status, size, sum(n)
            FROM (SELECT level_id, area_of_study_id, provider_id, mode_of_delivery, kind, status,
                  credentials_size_band(credits, notional_hours) AS size, -1 AS n FROM old_rows
                  UNION ALL SELECT level_id, area_of_study_id, provider_id, mode_of_delivery, kind, status,
                  credentials_size_band(credits, notional_hours) AS size, 1 AS n FROM new_rows) AS changed
            GROUP BY level_id, area_of_study_id, mode_of_delivery, kind, status, size
            HAVING sum(n) <> 0;
        INSERT INTO credentials_facetdelta_by_provider
            SELECT level_id, provider_id, mode_of_delivery, kind, status, size, sum(n)
            FROM (SELECT level_id, area_of_study_id, provider_id, mode_of_delivery, kind, status,
                  credentials_size_band(credits, notional_hours) AS size, -1 AS n FROM old_rows
                  UNION ALL SELECT level_id, area_of_study_id, provider_id, mode_of_delivery, kind, status,
                  credentials_size_band(credits, notional_hours) AS size, 1 AS n FROM new_rows) AS changed
            GROUP BY level_id, provider_id, mode_of_delivery, kind, status, size
            HAVING sum(n) <> 0;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER credentials_facet_delta_insert AFTER INSERT ON credentials_credential
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION credentials_facet_delta();
CREATE TRIGGER credentials_facet_delta_update AFTER UPDATE ON credentials_credential
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION credentials_facet_delta();
CREATE TRIGGER credentials_facet_delta_delete AFTER DELETE ON credentials_credential
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION credentials_facet_delta();

CREATE FUNCTION credentials_facet_cube_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE credentials_facetcount_by_area, credentials_facetdelta_by_area,
        credentials_facetcount_by_provider, credentials_facetdelta_by_provider;
    RETURN NULL;
END
$$;
CREATE TRIGGER credentials_facet_cube_truncate AFTER TRUNCATE ON credentials_credential
    FOR EACH STATEMENT EXECUTE FUNCTION credentials_facet_cube_truncate();

CREATE FUNCTION credentials_facet_cube_compact() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
BEGIN
    -- One compactor at a time; a second one has nothing to do and returns at once.
    IF NOT pg_try_advisory_xact_lock(hashtext('credentials_facet_cube_compact')) THEN
        RETURN 0;
    END IF;
    WITH moved AS (DELETE FROM credentials_facetdelta_by_area RETURNING *),
    summed AS (
        SELECT level_id, area_of_study_id, mode_of_delivery, kind, status, size, sum(n) AS n
        FROM moved GROUP BY level_id, area_of_study_id, mode_of_delivery, kind, status, size
    )
    INSERT INTO credentials_facetcount_by_area AS cube
        SELECT * FROM summed
        ON CONFLICT ON CONSTRAINT credentials_facetcount_by_area_dimensions
        DO UPDATE SET n = cube.n + excluded.n;
    GET DIAGNOSTICS folded = ROW_COUNT;
    DELETE FROM credentials_facetcount_by_area WHERE n = 0;
    WITH moved AS (DELETE FROM credentials_facetdelta_by_provider RETURNING *),
    summed AS (
        SELECT level_id, provider_id, mode_of_delivery, kind, status, size, sum(n) AS n
        FROM moved GROUP BY level_id, provider_id, mode_of_delivery, kind, status, size
    )
    INSERT INTO credentials_facetcount_by_provider AS cube
        SELECT * FROM summed
        ON CONFLICT ON CONSTRAINT credentials_facetcount_by_provider_dimensions
        DO UPDATE SET n = cube.n + excluded.n;
    DELETE FROM credentials_facetcount_by_provider WHERE n = 0;
    RETURN folded;
END
$$;

CREATE FUNCTION credentials_facet_cube_refill() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- For bulk loads made with the triggers off: recount both cubes from the entries.
    PERFORM pg_advisory_xact_lock(hashtext('credentials_facet_cube_compact'));
    DELETE FROM credentials_facetdelta_by_area;
    DELETE FROM credentials_facetdelta_by_provider;
    DELETE FROM credentials_facetcount_by_area;
    DELETE FROM credentials_facetcount_by_provider;
    INSERT INTO credentials_facetcount_by_area
        SELECT level_id, area_of_study_id, mode_of_delivery, kind, status,
               credentials_size_band(credits, notional_hours), count(*)
        FROM credentials_credential GROUP BY 1, 2, 3, 4, 5, 6;
    INSERT INTO credentials_facetcount_by_provider
        SELECT level_id, provider_id, mode_of_delivery, kind, status,
               credentials_size_band(credits, notional_hours), count(*)
        FROM credentials_credential GROUP BY 1, 2, 3, 4, 5, 6;
END
$$;

-- The default view subtracts the current entries not valid today, read index-only from
-- these by range: few once the daily sweep has expired the ended ones.
CREATE INDEX credential_current_valid_to ON credentials_credential (valid_to)
    INCLUDE (valid_from, status, level_id, area_of_study_id, provider_id, mode_of_delivery,
             kind, credits, notional_hours)
    WHERE status IN ('registered', 'teach_out');
CREATE INDEX credential_current_valid_from ON credentials_credential (valid_from)
    INCLUDE (valid_to, status, level_id, area_of_study_id, provider_id, mode_of_delivery,
             kind, credits, notional_hours)
    WHERE status IN ('registered', 'teach_out');

SELECT credentials_facet_cube_refill();
"""

REVERSE_SQL = r"""
DROP INDEX credential_current_valid_from;
DROP INDEX credential_current_valid_to;
DROP TRIGGER credentials_facet_cube_truncate ON credentials_credential;
DROP TRIGGER credentials_facet_delta_delete ON credentials_credential;
DROP TRIGGER credentials_facet_delta_update ON credentials_credential;
DROP TRIGGER credentials_facet_delta_insert ON credentials_credential;
DROP FUNCTION credentials_facet_cube_refill();
DROP FUNCTION credentials_facet_cube_compact();
DROP FUNCTION credentials_facet_cube_truncate();
DROP FUNCTION credentials_facet_delta();
DROP TABLE credentials_facetdelta_by_provider, credentials_facetcount_by_provider,
    credentials_facetdelta_by_area, credentials_facetcount_by_area;
DROP FUNCTION credentials_size_band(numeric, integer);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0012_browse_facet_columns_index"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
