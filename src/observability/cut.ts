/**
 * `text` cut to at most `max` characters, saying how much was left out, so a hostile or mistaken 10,000-character
 * input is never echoed back whole into an error or a log line.
 */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
