export interface WebServer {
  url: string;
  close(): Promise<void>;
}
export function serveWeb(options: {
  port?: number;
  host?: string;
  signUrl: string;
  extraFiles?: Record<string, string>;
  /** Headers on every answer, e.g. a Content-Security-Policy. */
  headers?: Record<string, string>;
}): Promise<WebServer>;
