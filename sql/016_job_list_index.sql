-- 016_job_list_index.sql: the covering index of a project's job list filtered by status and source.
-- GET /api/v1/projects/{p}/jobs?status=...&source=... finds its page's ids on this
-- index alone, newest first, as the status-only and source-only lists do on
-- jobs_project_status and jobs_project_source (001); without it every job skipped on
-- the way to a deep page was read whole to check its source (64 ms of MariaDB CPU
-- for offset 13,333 of 100,000 jobs, measured for issue 13).

ALTER TABLE jobs
  ADD INDEX IF NOT EXISTS jobs_project_status_source (project_id, status, source, id);
