-- One outbound path for every channel: the WhatsApp send job becomes `deliver_message`, which finds the adapter by
-- the message's channel account. Jobs of the old kind (queued, running under a lease, dead, done) are renamed and
-- get the account in their payload, so an upgrade delivers what was queued and `botctl jobs retry` finds the kind.
UPDATE jobs
SET kind = 'deliver_message',
    payload = json_set(payload, '$.channelAccountId',
      (SELECT m.channel_account_id FROM messages m WHERE m.id = json_extract(jobs.payload, '$.messageId')))
WHERE kind = 'send_whatsapp';

-- The customer's handle on the channel (Instagram username, Telegram @username), shown on the card and thread.
ALTER TABLE contacts ADD COLUMN handle TEXT;
