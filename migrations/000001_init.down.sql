DROP TABLE franja_meta;
