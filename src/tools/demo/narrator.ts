/** How the demo prints: a scene's story, then each message as it arrives, one plain line each. */
import type { Told } from './describe-arrival.js';

const WIDTH = 100;

/** Wraps prose at word boundaries; the first line follows a prefix as wide as `indent`. */
export function wrap(text: string, indent: string, width = WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const room = width - indent.length;
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

export class Narrator {
  constructor(private readonly write: (text: string) => void) {}

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  /** `label` in a fixed column, then wrapped prose. */
  field(label: string, text: string): void {
    const indent = ' '.repeat(11);
    this.line(`  ${label.padEnd(8)} ${wrap(text, indent, WIDTH)}`);
  }

  scene(time: string, title: string, story: string): void {
    this.line();
    this.line(`── ${time}  ${title}`);
    this.line(`   ${wrap(story, '   ', WIDTH)}`);
    this.line();
  }

  arrival(time: string, told: Told, unexpected: boolean): void {
    const mark = unexpected ? 'UNEXPECTED ' : '';
    this.line(`${time} ${mark}${told.who}: ${told.meaning}`);
    this.line(`        ${told.detail}`);
  }

  problem(text: string): void {
    this.line(`!! ${text}`);
  }
}
