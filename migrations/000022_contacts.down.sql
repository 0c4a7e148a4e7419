DELETE FROM franja_chain_heads WHERE tbl IN ('contacts', 'contact_events');
DROP TABLE contact_state;
DROP TABLE contact_events;
DROP TABLE contacts;
DROP TABLE webhooks;
