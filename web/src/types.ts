/**
 * @module web/types
 *
 * The JSON the editor's API sends (src/web/handler.ts and views.ts on the
 * server). Declared again here rather than imported, so the browser bundle's
 * type check needs no Node types; the API tests pin the shapes.
 */
export interface Loc { file: string; line: number; col: number; offset: number; endOffset: number }
export interface Place { file: string; line: number; from: number; to: number }
export interface Fix { title: string; from: number; to: number; insert: string }
export interface Diag {
  code: string; severity: 'error' | 'warning' | 'info'; message: string; hint?: string; location?: Loc; path?: string; object?: string; fixes: Fix[];
  /** A lint finding (POST lint), not a validation problem. */
  lint?: boolean;
}
export interface FileSnap { path: string; text: string; version: string }

export interface PortView { text: string; l7?: string; at: Place }
export interface PeerView { label: string; kind: string; deny: boolean; ports: PortView[]; at: Place; pods?: string[] }
export interface SideView { defaultDeny: boolean; peers: PeerView[]; at: Place }
export interface PolicyView {
  id: string; kind: string; name: string; namespace?: string; valid: boolean; at: Place;
  rules: { subject: { text: string; pods: string[]; at: Place }; ingress?: SideView; egress?: SideView }[];
}

export interface RuleMatch { policy?: { kind: string; namespace?: string; name: string }; path?: string; location?: Loc; deny: boolean; peer: string; ports: string; synthetic?: string }
export interface SideResult {
  direction: 'ingress' | 'egress'; endpoint: string; enforced: boolean; verdict: 'allow' | 'deny'; matchType: string; dropReason?: string;
  decidedBy: RuleMatch[]; nearMisses: { rule: RuleMatch; mismatch: string; detail: string }[]; enforcedBy: RuleMatch[]; redirect: boolean;
}
export interface Explanation {
  verdict: 'allow' | 'deny'; reason: string; destination: { endpoint: string; ip: string; port?: number }; source: { endpoint: string; ip: string };
  protocol: string; egress?: SideResult; ingress?: SideResult;
  l7?: { protocol: string; allowed: boolean; response?: string; decidedBy: RuleMatch[]; detail: string; direction: string };
  backends?: { endpoint: string; ip: string; port: number; verdict: string; reason: string }[];
}
export interface ExplainPair { from: string; to: string; explanation: Explanation; text: string }

export interface CaseResult {
  test: string; name: string; from: string; to: string; port?: number; protocol: string; expect: string; verdict: string; pass: boolean; reason: string; explanation?: string; location: Loc;
}
export interface ClusterNode { id: string; kind: 'workload' | 'service'; namespace: string; name: string; pods?: number }
export interface ClusterEdge { from: string; to: string; port: number; protocol: string; verdict: 'allow' | 'deny' | 'l7'; reason: string }
export interface FlowRow { compact: string; time: string; node: string; source: string; destination: string; type: string; verdict: string; summary: string }
export interface Endpoints { workloads: string[]; services: { id: string; ports: number[] }[]; dns: Record<string, string[]> }

export interface MatrixEnd { name: string; kind: string; namespace?: string; pods?: string[] }
export interface MatrixJson { by: string; portClasses: string[]; sources: MatrixEnd[]; destinations: MatrixEnd[]; cells: { from: string; to: string; symbol: string; allowed: string }[]; verdictsAsked: number }
export interface DiffChange { kind: 'allowed' | 'denied' | 'l7'; from: string; to: string; ports: string; before: string; after: string; rules: { before: string; after: string }; location?: Loc }
export interface DiffJson { summary: string; changed: boolean; added: string[]; removed: string[]; changes: DiffChange[] }
export interface GeneratedFile { path: string; workload: string; text: string; notes: string[] }
export interface GenerateJson {
  files: GeneratedFile[];
  proof: { passed: boolean; observed: number; allowed: number; denied: number; notReplayed: number; deniedConnections: { connection: string; reason: string }[]; notReplayedReasons: string[] };
  surface: { workload: string; checked: number; nowDenied: number }[];
  diagnostics: Diag[]; lines: number; skippedLines: number; ms: number;
}
