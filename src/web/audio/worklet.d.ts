/** The URL of worklet.js once bundled (imported `with { type: "file" }`). */
declare const url: string;
export default url;
