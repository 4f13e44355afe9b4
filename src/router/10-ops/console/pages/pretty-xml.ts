/**
 * XML laid out one element per line, indented by depth, for reading a body in the console. Only
 * the layout changes (the text between tags is kept, trimmed); it is never parsed as a document,
 * so a hostile body cannot expand anything. The console escapes the result like any text.
 */
const TOKEN = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<\/?[^>]+>|[^<]+/g;

export function prettyXml(xml: string, indent = '  '): string {
  const lines: string[] = [];
  let depth = 0;
  for (const [token] of xml.matchAll(TOKEN)) {
    if (token.startsWith('</')) {
      depth = Math.max(0, depth - 1);
      const last = lines.length - 1;
      // <a>text</a> stays on one line
      if (
        last >= 0 &&
        !lines[last]!.trimStart().startsWith('<') &&
        lines[last - 1]?.trimStart().startsWith('<')
      ) {
        const text = lines.pop()!.trim();
        lines[lines.length - 1] += text + token;
        continue;
      }
      lines.push(indent.repeat(depth) + token);
    } else if (
      token.startsWith('<') &&
      !token.startsWith('<!') &&
      !token.startsWith('<?') &&
      !token.endsWith('/>')
    ) {
      lines.push(indent.repeat(depth) + token);
      depth++;
    } else {
      const text = token.startsWith('<') ? token : token.trim();
      if (text) lines.push(indent.repeat(depth) + text);
    }
  }
  return lines.join('\n');
}
