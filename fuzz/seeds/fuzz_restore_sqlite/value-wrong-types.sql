 UPDATE clients SET name = 42, email = x'00ff';
