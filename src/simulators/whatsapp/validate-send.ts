/**
 * The checks the Cloud API makes on a `/messages` body before accepting it, enough for the simulator to answer
 * code 100 where Meta would (PROTOCOLS.md §1 "Sending"). Returns the problem, or null when the body is valid.
 */
export function sendProblem(body: Record<string, unknown>): string | null {
  if (body.messaging_product !== 'whatsapp') return 'The parameter messaging_product is required and must be "whatsapp".';
  // A customer's phone number in `to`, or a business-scoped user id (BSUID) in `recipient` (or in `to`).
  const address = body.to ?? body.recipient;
  if (typeof address !== 'string' || address === '') return 'The parameter to is required.';
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual') return 'recipient_type must be "individual".';
  const type = body.type ?? 'text';
  if (typeof type !== 'string') return 'The parameter type must be a string.';
  const field = body[type];
  if (typeof field !== 'object' || field === null) return `The parameter ${type} is required.`;
  const context = body.context as { message_id?: unknown } | undefined;
  if (context !== undefined && typeof context?.message_id !== 'string') return 'context.message_id must be a string.';
  const f = field as Record<string, unknown>;
  switch (type) {
    case 'text':
      return textProblem('text.body', f.body, 4096);
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      if ((f.id === undefined) === (f.link === undefined)) return `${type} needs exactly one of id or link.`;
      return f.caption === undefined ? null : textProblem(`${type}.caption`, f.caption, 1024);
    case 'interactive':
      return interactiveProblem(f);
    case 'template': {
      const language = f.language as { code?: unknown } | undefined;
      if (typeof f.name !== 'string' || f.name === '') return 'template.name is required.';
      return typeof language?.code === 'string' ? null : 'template.language.code is required.';
    }
    case 'reaction':
    case 'location':
    case 'contacts':
      return null;
    default:
      return `Unsupported message type ${type}.`;
  }
}

function interactiveProblem(f: Record<string, unknown>): string | null {
  if (f.type !== 'button') return null; // lists and flows are accepted without checks: botctl does not send them
  const bodyProblem = textProblem('interactive.body.text', (f.body as { text?: unknown } | undefined)?.text, 1024);
  if (bodyProblem) return bodyProblem;
  const buttons = (f.action as { buttons?: unknown } | undefined)?.buttons;
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return 'interactive.action.buttons must hold 1 to 3 buttons.';
  for (const [i, button] of buttons.entries()) {
    const reply = (button as { type?: unknown; reply?: { id?: unknown; title?: unknown } }).reply;
    if ((button as { type?: unknown }).type !== 'reply') return `buttons[${i}].type must be "reply".`;
    const problem = textProblem(`buttons[${i}].reply.id`, reply?.id, 256) ?? textProblem(`buttons[${i}].reply.title`, reply?.title, 20);
    if (problem) return problem;
  }
  return null;
}

function textProblem(path: string, value: unknown, max: number): string | null {
  if (typeof value !== 'string' || value === '') return `${path} is required.`;
  const length = [...value].length;
  return length > max ? `${path} is ${length} characters; the maximum is ${max}.` : null;
}
