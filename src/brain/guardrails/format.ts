/** WhatsApp shows plain text with *bold* and _italic_; Markdown headings, tables and links come out as noise. */
export const WHATSAPP_TEXT_LIMIT = 4096;

export function toWhatsappText(text: string): string {
  let out = text.replace(/\r\n/g, '\n');
  out = out.replace(/```[a-z]*\n?([\s\S]*?)```/g, '$1');
  out = out.replace(/^#{1,6}\s+(.+?)\s*#*$/gm, '*$1*');
  out = out.replace(/\*\*(.+?)\*\*/g, '*$1*').replace(/__(.+?)__/g, '_$1_');
  out = out.replace(/\[([^\]]+)\]\((\S+?)\)/g, (_, label: string, url: string) => (label === url ? url : `${label}: ${url}`));
  out = out.replace(/^[ \t]*\|?([ \t]*:?-{2,}:?[ \t]*\|)+[ \t]*(:?-*:?)?[ \t]*(\n|$)/gm, '');
  out = out.replace(/^[ \t]*\|(.+)\|[ \t]*$/gm, (_, row: string) => row.split('|').map((c) => c.trim()).filter(Boolean).join(' — '));
  out = out.replace(/^[ \t]*[-*+][ \t]+/gm, '• ');
  out = out.replace(/\n{3,}/g, '\n\n').trim();
  return fitLength(out, WHATSAPP_TEXT_LIMIT);
}

/** Cuts an over-long text at the last sentence end that fits, so the customer never gets half a sentence. */
function fitLength(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const head = text.slice(0, limit - 1);
  const end = Math.max(head.lastIndexOf('. '), head.lastIndexOf('.\n'), head.lastIndexOf('! '), head.lastIndexOf('? '), head.lastIndexOf('\n\n'));
  return `${end > limit / 2 ? head.slice(0, end + 1) : head.slice(0, head.lastIndexOf(' '))}…`.slice(0, limit);
}
