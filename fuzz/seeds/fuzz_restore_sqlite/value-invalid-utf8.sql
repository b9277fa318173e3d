 UPDATE clients SET name = x'c328' WHERE id = 'C-1';
