-- bench/peer/grants.sql: copied unchanged from ../shared/peers/sql/grants.sql, the PHP peer issue 13 measures GET job against (bench/api runs it); only this line was added.
-- the PHP app connects as a normal application user (password auth over the unix socket)
CREATE USER IF NOT EXISTS 'app'@'localhost' IDENTIFIED BY 'app-pass';
GRANT SELECT, INSERT, UPDATE, DELETE ON peer.* TO 'app'@'localhost';
