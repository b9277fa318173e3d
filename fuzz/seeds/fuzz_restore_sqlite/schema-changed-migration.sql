 UPDATE schema_version SET sql_sha256 = '0' WHERE version = 3;
