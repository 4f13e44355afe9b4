-- The router's own responses keep what the router built as data: their DE service and the
-- address they are sent to, so a duplicate is answered again without re-reading the XML.
-- Rows written before this migration get both from their XML, once, here.
-- failed_attempts goes: nothing has used it since processing attempts moved to the quorum
-- queue's x-delivery-count.
ALTER TABLE message_responses ADD COLUMN service TEXT NOT NULL DEFAULT '';
ALTER TABLE message_responses ADD COLUMN addressee TEXT;

UPDATE message_responses
SET service = coalesce(substring(xml from '<itk:header service="([^"]*)"'), ''),
    addressee = substring(xml from '<itk:address uri="([^"]*)"');

DROP TABLE failed_attempts;
