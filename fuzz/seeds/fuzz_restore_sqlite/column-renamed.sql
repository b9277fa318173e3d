 ALTER TABLE clients RENAME COLUMN name TO nom;
