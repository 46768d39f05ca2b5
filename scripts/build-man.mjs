// Converts the man page's Markdown (docs/NAME.SECTION.md) to roff for man(7), with no tool beyond Node.
// The subset: # and ## headings, paragraphs, **bold**, *italic*, `code` (set in bold, as man pages do),
// definition lists (a term line, then ":   definition", continued by lines indented 4 spaces),
// "- " lists, and ``` code blocks. Anything else is a paragraph, so a mistake shows instead of vanishing.
// usage: node scripts/build-man.mjs [docs/floatip.8.md [dist/man/floatip.8]]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const input = process.argv[2] ?? join(root, 'docs', 'floatip.8.md');
const output = process.argv[3] ?? join(root, 'dist', 'man', basename(input, '.md'));

const match = /^([a-z0-9_.-]+)\.([1-9])\.md$/.exec(basename(input));
if (!match) {
  console.error(`build-man: ${input}: the name must be NAME.SECTION.md, such as floatip.8.md`);
  process.exit(2);
}
const [, name, section] = match;
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
// SOURCE_DATE_EPOCH keeps rebuilt packages identical (reproducible-builds.org)
const epoch = Number(process.env.SOURCE_DATE_EPOCH);
const date = (Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000) : new Date()).toISOString().slice(0, 10);
const MANUALS = { 1: 'User Commands', 5: 'File Formats Manual', 8: "System Manager's Manual" };

/** Plain text for roff: backslashes escaped, non-ASCII as \[uXXXX] so no input encoding matters. */
function text(s) {
  return s.replace(/\\/g, '\\e').replace(/[^\t\x20-\x7e\uE000\uE001]/gu, (c) => `\\[u${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);
}

/** Literal text (options, paths, keys): hyphens are minus signs, so a copied option works. */
const literal = (s) => text(s).replace(/-/g, '\\-');

function inline(s) {
  const held = [];
  // held pieces wait behind private-use marks, so later patterns and escaping leave them alone
  const hold = (roff) => `\uE000${held.push(roff) - 1}\uE001`;
  let out = s
    .replace(/`([^`]+)`/g, (_, c) => hold(`\\fB${literal(c)}\\fR`))
    .replace(/<(https?:\/\/[^>\s]+)>/g, (_, u) => hold(`\\%${text(u)}`))
    .replace(/\*\*(.+?)\*\*/g, (_, b) => hold(`\\fB${literal(b)}\\fR`))
    .replace(/(^|[^\w*])\*([^*\s](?:[^*]*[^*\s])?)\*(?![\w*])/g, (_, pre, i) => `${pre}${hold(`\\fI${text(i)}\\fR`)}`);
  out = text(out).replace(/\uE000(\d+)\uE001/g, (_, n) => held[Number(n)]);
  return out;
}

/** A text line must not start with a control character, nor with a space (a break). */
const line = (s) => (/^[.']/.test(s) ? `\\&${s}` : s);

function convert(md) {
  const src = md.replace(/\r\n/g, '\n').split('\n');
  const out = [
    `.\\" Generated from ${basename(input)} by scripts/build-man.mjs: edit the Markdown, not this file.`,
    `.TH ${name.toUpperCase()} ${section} "${date}" "${name} ${version}" "${MANUALS[section] ?? ''}"`,
    // no hyphenation, ragged right: options and keys must not be split at invented hyphens
    '.nh',
    '.ad l',
  ];
  let heading = '';
  let i = 0;
  const isDef = (k) => k < src.length && /^: {3}/.test(src[k]);
  const blockStart = (l) => /^(#{1,2} |```|[-*] )/.test(l) || l.trim() === '';
  while (i < src.length) {
    const l = src[i];
    if (l.trim() === '') {
      i++;
    } else if (/^# /.test(l)) {
      heading = l.slice(2).trim();
      out.push(`.SH "${text(heading.toUpperCase())}"`);
      i++;
    } else if (/^## /.test(l)) {
      out.push(`.SS "${text(l.slice(3).trim())}"`);
      i++;
    } else if (l.startsWith('```')) {
      out.push('.PP', '.RS 4', '.nf');
      for (i++; i < src.length && !src[i].startsWith('```'); i++) out.push(line(text(src[i]).replace(/-/g, '\\-')));
      if (i >= src.length) throw new Error(`${input}: a code block is not closed`);
      out.push('.fi', '.RE');
      i++;
    } else if (/^[-*] /.test(l)) {
      const item = [l.slice(2).trim()];
      for (i++; i < src.length && /^ {2,}\S/.test(src[i]); i++) item.push(src[i].trim());
      out.push('.IP \\(bu 2', ...item.map((t) => line(inline(t))));
    } else if (isDef(i + 1)) {
      out.push('.TP', line(inline(l.trim())));
      i++;
      const para = [src[i].replace(/^: {3}/, '')];
      for (i++; i < src.length; i++) {
        if (/^ {4}\S/.test(src[i])) para.push(src[i].trim());
        else if (src[i].trim() === '' && /^ {4}\S/.test(src[i + 1] ?? '')) para.push('');
        else break;
      }
      for (const t of para) out.push(t === '' ? '.IP' : line(inline(t)));
    } else {
      out.push('.PP');
      // a line followed by ":   " is the next definition's term, not this paragraph's
      for (; i < src.length && !blockStart(src[i]) && !isDef(i + 1); i++) {
        let t = inline(src[i].trim());
        // NAME's "name - summary" needs roff's minus for whatis/apropos
        if (heading.toUpperCase() === 'NAME') t = t.replace(' - ', ' \\- ');
        out.push(line(t));
      }
    }
  }
  return `${out.join('\n')}\n`;
}

mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, convert(readFileSync(input, 'utf8')));
