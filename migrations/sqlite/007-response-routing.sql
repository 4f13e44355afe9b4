-- The router's own responses keep what the router built as data: their DE service and the
-- address they are sent to, so a duplicate is answered again without re-reading the XML.
-- Rows written before this migration get both from their XML, once, here.
-- failed_attempts goes: nothing has used it since processing attempts moved to the quorum
-- queue's x-delivery-count.
ALTER TABLE message_responses ADD COLUMN service TEXT NOT NULL DEFAULT '';
ALTER TABLE message_responses ADD COLUMN addressee TEXT;

UPDATE message_responses
SET service = substr(
      substr(xml, instr(xml, '<itk:header service="') + 21),
      1,
      instr(substr(xml, instr(xml, '<itk:header service="') + 21), '"') - 1
    )
WHERE instr(xml, '<itk:header service="') > 0;

UPDATE message_responses
SET addressee = substr(
      substr(xml, instr(xml, '<itk:address uri="') + 18),
      1,
      instr(substr(xml, instr(xml, '<itk:address uri="') + 18), '"') - 1
    )
WHERE instr(xml, '<itk:address uri="') > 0;

DROP TABLE failed_attempts;
