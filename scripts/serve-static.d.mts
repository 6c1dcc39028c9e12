import type { Server } from 'node:http';
export declare function startStaticServer(port: number, root?: string): Promise<Server>;
