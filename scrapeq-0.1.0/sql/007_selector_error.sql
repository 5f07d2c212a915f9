-- 007_selector_error.sql: a crawl error of kind "selector": a page whose job selectors
-- passed their CPU time ([daemon] selector_cpu_ms) or whose selector worker died. The
-- new value goes last, so every row keeps its kind (src/core/crawl_error.c lists them
-- in this order).

ALTER TABLE crawl_errors
  MODIFY kind ENUM('fetch','http','robots','refused','too_large','redirects','type','selector') NOT NULL;
