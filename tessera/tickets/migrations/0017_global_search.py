# The desk's global search (tickets/selectors/global_search.py) on PostgreSQL.
#
# Each ticket keeps its search document in a tsvector column, ``search_vector``, kept up to date by
# triggers (so every writer: services, imports, COPY, the admin, keeps it right), stemmed in the ticket's
# language (its organization's: Italian, German, English; any other: simple):
#   A  the title
#   B  the number (also without its zeros), the requester's name and e-mail (also split at @ and .),
#      the organization's name and customer code (unstemmed, 'simple')
#   C  the description
#   D  every comment and internal note
# A GIN index answers @@; pg_trgm's GIN indexes answer a part of a number (LIKE '%270%') and a title
# with a typo (word similarity). The column is PostgreSQL's alone: Django's model does not know it
# (SQLite searches with LIKE), so no ORM query ever reads or writes it.

from django.db import migrations

FUNCTIONS = r"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE tickets_ticket ADD COLUMN IF NOT EXISTS search_vector tsvector;

CREATE OR REPLACE FUNCTION tessera_search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE AS $$
  SELECT (CASE lower(split_part(coalesce(language, ''), '-', 1))
    WHEN 'it' THEN 'italian' WHEN 'de' THEN 'german' WHEN 'en' THEN 'english' ELSE 'simple' END)::regconfig
$$;

CREATE OR REPLACE FUNCTION tessera_ticket_search_vector(
  p_id bigint, p_number text, p_title text, p_description text, p_organization bigint, p_requester bigint
) RETURNS tsvector LANGUAGE plpgsql STABLE AS $$
DECLARE
  config regconfig;
  organization_text text;
  requester_text text;
  comments_text text;
BEGIN
  SELECT tessera_search_config(o.language), o.name || ' ' || o.customer_code
    INTO config, organization_text FROM organizations_organization o WHERE o.id = p_organization;
  SELECT u.first_name || ' ' || u.last_name || ' ' || u.email || ' ' || translate(u.email, '@.-_+', '     ')
    INTO requester_text FROM accounts_user u WHERE u.id = p_requester;
  SELECT string_agg(c.body, ' ') INTO comments_text FROM tickets_comment c WHERE c.ticket_id = p_id;
  config := coalesce(config, 'simple'::regconfig);
  RETURN setweight(to_tsvector(config, coalesce(p_title, '')), 'A')
    || setweight(to_tsvector('simple', concat_ws(' ', p_number, ltrim(p_number, '0'), requester_text,
                                                organization_text)), 'B')
    || setweight(to_tsvector(config, coalesce(p_description, '')), 'C')
    || setweight(to_tsvector(config, coalesce(comments_text, '')), 'D');
END
$$;

CREATE OR REPLACE FUNCTION tessera_ticket_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := tessera_ticket_search_vector(
    NEW.id, NEW.number, NEW.title, NEW.description, NEW.organization_id, NEW.created_by_id);
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION tessera_ticket_search_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE tickets_ticket t SET search_vector = tessera_ticket_search_vector(
      t.id, t.number, t.title, t.description, t.organization_id, t.created_by_id)
    WHERE t.id IN (SELECT DISTINCT ticket_id FROM changed_comments);
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION tessera_ticket_search_organization() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE tickets_ticket t SET search_vector = tessera_ticket_search_vector(
      t.id, t.number, t.title, t.description, t.organization_id, t.created_by_id)
    WHERE t.organization_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION tessera_ticket_search_requester() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE tickets_ticket t SET search_vector = tessera_ticket_search_vector(
      t.id, t.number, t.title, t.description, t.organization_id, t.created_by_id)
    WHERE t.created_by_id = NEW.id;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS ticket_search_insert ON tickets_ticket;
CREATE TRIGGER ticket_search_insert BEFORE INSERT ON tickets_ticket
  FOR EACH ROW EXECUTE FUNCTION tessera_ticket_search_row();
DROP TRIGGER IF EXISTS ticket_search_update ON tickets_ticket;
CREATE TRIGGER ticket_search_update BEFORE UPDATE ON tickets_ticket FOR EACH ROW
  WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description
        OR OLD.number IS DISTINCT FROM NEW.number OR OLD.organization_id IS DISTINCT FROM NEW.organization_id
        OR OLD.created_by_id IS DISTINCT FROM NEW.created_by_id)
  EXECUTE FUNCTION tessera_ticket_search_row();

-- Per statement, with the rows it changed: a batch of comments (an import, COPY) updates each ticket once.
DROP TRIGGER IF EXISTS ticket_search_comment_insert ON tickets_comment;
CREATE TRIGGER ticket_search_comment_insert AFTER INSERT ON tickets_comment
  REFERENCING NEW TABLE AS changed_comments FOR EACH STATEMENT EXECUTE FUNCTION tessera_ticket_search_comments();
DROP TRIGGER IF EXISTS ticket_search_comment_update ON tickets_comment;
CREATE TRIGGER ticket_search_comment_update AFTER UPDATE ON tickets_comment
  REFERENCING NEW TABLE AS changed_comments FOR EACH STATEMENT EXECUTE FUNCTION tessera_ticket_search_comments();
DROP TRIGGER IF EXISTS ticket_search_comment_delete ON tickets_comment;
CREATE TRIGGER ticket_search_comment_delete AFTER DELETE ON tickets_comment
  REFERENCING OLD TABLE AS changed_comments FOR EACH STATEMENT EXECUTE FUNCTION tessera_ticket_search_comments();

DROP TRIGGER IF EXISTS ticket_search_organization ON organizations_organization;
CREATE TRIGGER ticket_search_organization AFTER UPDATE ON organizations_organization FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.customer_code IS DISTINCT FROM NEW.customer_code
        OR OLD.language IS DISTINCT FROM NEW.language)
  EXECUTE FUNCTION tessera_ticket_search_organization();
DROP TRIGGER IF EXISTS ticket_search_requester ON accounts_user;
CREATE TRIGGER ticket_search_requester AFTER UPDATE ON accounts_user FOR EACH ROW
  WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name
        OR OLD.email IS DISTINCT FROM NEW.email)
  EXECUTE FUNCTION tessera_ticket_search_requester();

UPDATE tickets_ticket t SET search_vector = tessera_ticket_search_vector(
  t.id, t.number, t.title, t.description, t.organization_id, t.created_by_id);

CREATE INDEX IF NOT EXISTS ticket_search_vector ON tickets_ticket USING gin (search_vector);
CREATE INDEX IF NOT EXISTS ticket_number_trgm ON tickets_ticket USING gin (number gin_trgm_ops);
CREATE INDEX IF NOT EXISTS ticket_title_trgm ON tickets_ticket USING gin (title gin_trgm_ops);
"""

DROP = r"""
DROP TRIGGER IF EXISTS ticket_search_insert ON tickets_ticket;
DROP TRIGGER IF EXISTS ticket_search_update ON tickets_ticket;
DROP TRIGGER IF EXISTS ticket_search_comment_insert ON tickets_comment;
DROP TRIGGER IF EXISTS ticket_search_comment_update ON tickets_comment;
DROP TRIGGER IF EXISTS ticket_search_comment_delete ON tickets_comment;
DROP TRIGGER IF EXISTS ticket_search_organization ON organizations_organization;
DROP TRIGGER IF EXISTS ticket_search_requester ON accounts_user;
DROP FUNCTION IF EXISTS tessera_ticket_search_row();
DROP FUNCTION IF EXISTS tessera_ticket_search_comments();
DROP FUNCTION IF EXISTS tessera_ticket_search_organization();
DROP FUNCTION IF EXISTS tessera_ticket_search_requester();
DROP FUNCTION IF EXISTS tessera_ticket_search_vector(bigint, text, text, text, bigint, bigint);
DROP FUNCTION IF EXISTS tessera_search_config(text);
DROP INDEX IF EXISTS ticket_title_trgm;
DROP INDEX IF EXISTS ticket_number_trgm;
DROP INDEX IF EXISTS ticket_search_vector;
ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS search_vector;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # One call with no parameters: psycopg runs the statements one after the other.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FUNCTIONS)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0016_customer_updated"),
        ("organizations", "0004_text_limits"),
        ("accounts", "0007_text_limits"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
