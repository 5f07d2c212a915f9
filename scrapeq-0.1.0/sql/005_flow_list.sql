-- 005_flow_list.sql: the index seed 002's list walks, newest first, one project's scrape jobs.
-- GET /v1/jobs reads jobs (never the flow/export/import rows: those are built in C)
-- ordered by created_at, id within the caller's projects; with type in the index the
-- ids of a page come from the index alone, and a single project is read in index
-- order without a sort. It replaces 003's (project_id, created_at, id).

ALTER TABLE jobs
  DROP INDEX IF EXISTS jobs_project_created,
  ADD INDEX IF NOT EXISTS jobs_project_type_created (project_id, type, created_at, id);

-- flow_kinds (003) is no longer read; it stays so that 003 can run again as written.
