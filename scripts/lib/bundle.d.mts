import type { Plugin } from 'esbuild';
export declare const STUB_NAMESPACE: string;
export declare function shaderTable(root: string): Record<string, string>;
export declare function shaderBanner(shaders: Record<string, string>): { js: string };
export declare const nodeOnlyStubs: Plugin;
