// Moved to src/pki/certs.ts (controllers sign certificates too, and may not import the API server).
export * from '../../pki/certs.ts';
