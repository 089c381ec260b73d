export interface MutationSite {
  line: number; // 1-based
  column: number;
  operator: string;
  before: string;
  after: string;
}
export declare function mutationSites(source: string): MutationSite[];
export declare function spreadSites(sites: MutationSite[], count: number): MutationSite[];
export declare function applySite(source: string, site: MutationSite): string;
