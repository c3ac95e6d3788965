/**
 * The upload call's multipart body: up to five PDF, JPEG or PNG files of at most 5 MB each,
 * and an optional `activity` part (the message the files go with). The kind of a file is
 * read from its first bytes, not from the name or declared type the client chose.
 * Parsing uses the platform's own multipart parser (undici, through Response.formData).
 */
import { HttpProblem } from '../../bot/http/body';
import { safeFileName } from '../../bot/fileName';

export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_FILES = 5;
/** The whole request: every file at the limit, plus room for the parts' headers and the activity. */
export const MAX_UPLOAD_BYTES = MAX_FILES * MAX_FILE_BYTES + 256 * 1024;

export interface UploadedFile {
  name: string;
  contentType: 'application/pdf' | 'image/jpeg' | 'image/png';
  data: Buffer;
}

export interface ParsedUpload {
  activity?: unknown;
  files: UploadedFile[];
}

/** The type a file really is, from its signature bytes. */
export function sniffType(data: Buffer): UploadedFile['contentType'] | undefined {
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return undefined;
}

/** A name safe to show and store (bot/fileName.ts: the one sanitiser). */
export const cleanName = (name: string, fallback: string): string => safeFileName(name, fallback);

const EXTENSION: Record<UploadedFile['contentType'], string> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

export async function parseUpload(body: Buffer, contentType: string): Promise<ParsedUpload> {
  let form: FormData;
  try {
    form = await new Response(new Blob([new Uint8Array(body)]), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new HttpProblem(400, 'malformed_multipart', 'the body is not valid multipart/form-data');
  }
  let activity: unknown;
  const files: UploadedFile[] = [];
  const entries: Array<[string, FormDataEntryValue]> = [];
  form.forEach((value, field) => entries.push([field, value]));
  for (const [field, value] of entries) {
    if (field === 'activity') {
      const text = typeof value === 'string' ? value : await value.text();
      try {
        activity = JSON.parse(text) as unknown;
      } catch {
        throw new HttpProblem(400, 'malformed_json', 'the activity part is not valid JSON');
      }
      continue;
    }
    if (typeof value === 'string') continue; // plain form fields carry nothing for us
    if (files.length === MAX_FILES) throw new HttpProblem(400, 'too_many_files', `at most ${MAX_FILES} files per upload`);
    const name = value.name || 'file';
    if (value.size > MAX_FILE_BYTES) {
      throw new HttpProblem(400, 'file_too_large', `${cleanName(name, 'file')}: larger than ${MAX_FILE_BYTES / (1024 * 1024)} MB`);
    }
    const data = Buffer.from(await value.arrayBuffer());
    const type = sniffType(data);
    if (!type) throw new HttpProblem(400, 'unsupported_file_type', `${cleanName(name, 'file')}: only PDF, JPEG and PNG files are accepted`);
    files.push({ name: cleanName(name, `file-${files.length + 1}.${EXTENSION[type]}`), contentType: type, data });
  }
  if (files.length === 0) throw new HttpProblem(400, 'no_files', 'the upload carries no file');
  return { activity, files };
}
