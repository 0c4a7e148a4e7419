DROP TABLE leaves;
DROP TABLE schedules;
DROP TABLE people;
DROP TABLE posts;
DROP FUNCTION people_no_supervisor_cycle();
DROP FUNCTION valid_time_zone(text);
