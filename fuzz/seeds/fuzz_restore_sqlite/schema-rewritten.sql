 PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = 'CREATE TABLE clients(x)' WHERE name = 'clients';
