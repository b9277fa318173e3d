 UPDATE sessions SET started_at = 'yesterday', finished_at = 12, area = x'ff';
