// Uploads a file and dies by SIGKILL once `killAfter` bytes were sent: a crash in the middle of a
// multipart upload, for the resume test.
import { readFileSync } from 'node:fs';
import { upload } from '@cos-direct/client/node';
import { Agent } from 'undici';

const [file, signUrl, resumeDir, caPath, killAfter] = process.argv.slice(2);
const dispatcher = new Agent({ connect: { ca: readFileSync(caPath, 'utf8') } });
await upload(file, {
  signUrl,
  dispatcher,
  resumeDir,
  partSize: 1024 * 1024,
  multipartThreshold: 1024 * 1024,
  concurrency: 1,
  onProgress: (sent) => {
    if (sent >= Number(killAfter)) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('finished without being killed\n');
