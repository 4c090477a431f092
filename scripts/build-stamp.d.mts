export declare const STAMP: string;
export declare function sourceDigest(workspace: string): string;
export declare function staleBuilds(root: string): string[];
export declare function builtFromCurrentSources(workspace: string): boolean;
