 UPDATE audit_head SET seq = seq + 5;
