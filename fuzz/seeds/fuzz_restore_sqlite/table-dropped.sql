 DROP TABLE sessions;
