/**
 * Entry of the thread that runs buffer searches (see search.ts): one job at a
 * time, answered with the match, or with the syntax error the pattern has.
 */
import { parentPort } from 'node:worker_threads';
import { findMatch, SearchSyntaxError, type ByteRange, type SearchPattern } from './search-matcher.js';

export interface SearchJob {
  bytes: Uint8Array;
  pattern: SearchPattern;
  from: number;
  backward: boolean;
}

export type SearchAnswer = { match: ByteRange | null } | { syntaxError: string } | { failure: string };

parentPort?.on('message', (job: SearchJob) => {
  let answer: SearchAnswer;
  try {
    answer = { match: findMatch(job.bytes, job.pattern, job.from, job.backward) };
  } catch (err) {
    answer =
      err instanceof SearchSyntaxError ? { syntaxError: err.message } : { failure: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(answer);
});
