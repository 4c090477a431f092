export interface WebServer {
  url: string;
  close(): Promise<void>;
}
export function serveWeb(options: {
  port?: number;
  host?: string;
  signUrl: string;
  extraFiles?: Record<string, string>;
}): Promise<WebServer>;
