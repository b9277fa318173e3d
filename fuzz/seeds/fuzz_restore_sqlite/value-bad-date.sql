 UPDATE clients SET date_of_birth = '1988-02-30';
