/** The table `npm run bench` prints: the columns of section.ts, each section's rows in order. */
import { TABLE_COLUMNS, type BenchSection, type SectionResult } from './section';

export function table(
	sections: BenchSection[],
	result: Record<string, SectionResult | undefined>,
): string {
	const rows: string[][] = [TABLE_COLUMNS];
	for (const section of sections) {
		const figures = result[section.key];
		if (figures && section.rows) rows.push(...section.rows(figures));
	}
	const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
	return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ')).join('\n');
}
