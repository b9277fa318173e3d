 UPDATE intakes SET intake_json = '{"areas": [}', areas_json = '[1,', reasons_json = 'null';
