/**
 * The bench's sections, in the order they run and print. A new section is a file here exporting a
 * BenchSection (section.ts) and one line in this list.
 */
import type { BenchSection } from '../section';
import { bucketSync } from './bucket-sync';
import { largeFiles } from './large-files';
import { localUpload } from './local-upload';
import { remoteAppend } from './remote-append';

export const SECTIONS: BenchSection[] = [localUpload, remoteAppend, largeFiles, bucketSync];
