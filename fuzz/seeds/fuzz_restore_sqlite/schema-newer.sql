 INSERT INTO schema_version (version, name, sql_sha256) VALUES (99, 'future', 'x');
