/** The SQL the SQLite store runs (the schema itself lives in migrations/sqlite). */

export const SQL = {
  insertMessage:
    'INSERT INTO messages (id, tracking_id, sender_endpoint_id, broker_user, service, interaction, ' +
    'sender_address, received_at, size, state, original, claimed_by, claim_until) VALUES (@id, ' +
    "@trackingId, @sender, @brokerUser, @service, @interaction, @senderAddress, @receivedAt, @size, 'received', " +
    '@original, @claimedBy, @claimUntil) ON CONFLICT (sender_endpoint_id, tracking_id) DO NOTHING',
  /** An existing message's processing claim (the write transaction already excludes other writers). */
  claimByKey:
    'SELECT claimed_by, claim_until FROM messages WHERE sender_endpoint_id = ? AND tracking_id = ?',
  claim: 'UPDATE messages SET claimed_by = @claimedBy, claim_until = @claimUntil WHERE id = @id',
  state: 'SELECT state FROM messages WHERE id = ?',
  setState: 'UPDATE messages SET state = @state WHERE id = @id',
  /** A message's state and completion, and whether it holds responses (recorded answers). */
  completion:
    'SELECT state, completed_at, EXISTS (SELECT 1 FROM message_responses r WHERE r.message_id = messages.id) AS answered ' +
    'FROM messages WHERE id = ?',
  setOutcome:
    'UPDATE messages SET outcome = @outcome, completed_at = @at, claimed_by = NULL, claim_until = NULL ' +
    'WHERE id = @id',
  /** Nothing once retention cleared the body. */
  original: 'SELECT original FROM messages WHERE id = ? AND body_cleared_at IS NULL',
  insertEvent:
    'INSERT INTO message_events (message_id, state, at, detail, endpoint_id, code, ack_tracking_id) ' +
    'VALUES (@id, @state, @at, @detail, @endpointId, @code, @ack)',
  confirmedDeliveries:
    "SELECT endpoint_id AS e FROM message_events WHERE message_id = ? AND state = 'delivered' " +
    'AND endpoint_id IS NOT NULL GROUP BY endpoint_id ORDER BY MIN(seq)',
  sameCorrelation:
    'SELECT 1 FROM message_events WHERE message_id = @id AND state = @state ' +
    'AND ack_tracking_id = @ack AND endpoint_id = @by',
  /** A message's recorded answers (recordAnswers), before it stores others. */
  dropAnswers: "DELETE FROM message_responses WHERE message_id = ? AND kind = 'response'",
  /** A message's responses whose tracking ids are not in the JSON array given: never sent. */
  dropUnsent:
    'DELETE FROM message_responses WHERE message_id = ? AND tracking_id NOT IN (SELECT value FROM json_each(?))',
  /**
   * A response after any the message holds, unless the message holds its tracking id already
   * (recorded before it was sent: recordAnswers).
   */
  insertResponse:
    'INSERT INTO message_responses (message_id, position, kind, tracking_id, to_endpoint_id, service, addressee, xml) ' +
    'SELECT @id, (SELECT COALESCE(MAX(position) + 1, 0) FROM message_responses WHERE message_id = @id), ' +
    '@kind, @trackingId, @to, @service, @addressee, @xml ' +
    'WHERE NOT EXISTS (SELECT 1 FROM message_responses WHERE message_id = @id AND tracking_id = @trackingId)',
} as const;
