import assert from "node:assert/strict";
import { type AdapterFacts, classifyAdapter } from "./webgpu_adapter.ts";

// Adapter infos as Deno reports them: the two llvmpipe ones read on the CI machine (Vulkan, then GL through
// DENO_WEBGPU_BACKEND=gl); the others from the ids and subgroup ranges wgpu gives each API.
const cases: [string, AdapterFacts, "hardware" | "software" | "gl"][] = [
  ["llvmpipe over Vulkan", {
    vendor: "65541",
    device: "0",
    description: "llvmpipe (LLVM 15.0.6, 256 bits)",
    isFallbackAdapter: true,
    subgroupMinSize: 8,
    subgroupMaxSize: 8,
  }, "software"],
  ["llvmpipe over GL", {
    vendor: "65541",
    device: "0",
    description: "llvmpipe (LLVM 15.0.6, 256 bits)",
    isFallbackAdapter: true,
    subgroupMinSize: 4,
    subgroupMaxSize: 128,
  }, "gl"],
  ["a Mesa GL driver not flagged as a fallback", {
    vendor: "32902",
    device: "0",
    description: "Mesa Intel(R) UHD Graphics 620 (KBL GT2)",
    isFallbackAdapter: false,
    subgroupMinSize: 4,
    subgroupMaxSize: 128,
  }, "gl"],
  ["NVIDIA's GL driver, without subgroup sizes", {
    vendor: "4318",
    device: "0",
    description: "NVIDIA H100 80GB HBM3/PCIe/SSE2",
  }, "gl"],
  ["softpipe over GL, not flagged, without subgroup sizes", {
    vendor: "65541",
    device: "0",
    description: "softpipe",
    isFallbackAdapter: false,
  }, "software"],
  ["SwiftShader over Vulkan, not flagged", {
    vendor: "6880",
    device: "49374",
    description: "SwiftShader Device (Subzero)",
    isFallbackAdapter: false,
    subgroupMinSize: 4,
    subgroupMaxSize: 4,
  }, "software"],
  ["WARP over D3D12", {
    vendor: "5140",
    device: "140",
    description: "Microsoft Basic Render Driver",
    subgroupMinSize: 4,
    subgroupMaxSize: 4,
  }, "software"],
  ["an H100 over Vulkan", {
    vendor: "4318",
    device: "8992",
    description: "NVIDIA H100 80GB HBM3",
    isFallbackAdapter: false,
    subgroupMinSize: 32,
    subgroupMaxSize: 32,
  }, "hardware"],
  ["an Apple GPU over Metal (ids 0, subgroups 4…64)", {
    vendor: "0",
    device: "0",
    description: "Apple M2",
    isFallbackAdapter: false,
    subgroupMinSize: 4,
    subgroupMaxSize: 64,
  }, "hardware"],
  ["an AMD GPU over Vulkan (RADV)", {
    vendor: "4098",
    device: "29631",
    description: "AMD Radeon RX 6800 (RADV NAVI21)",
    subgroupMinSize: 32,
    subgroupMaxSize: 64,
  }, "hardware"],
];

Deno.test("adapter classification: software, GL-emulated and hardware adapters from their info", () => {
  for (const [label, facts, kind] of cases) {
    const c = classifyAdapter(facts);
    assert.equal(c.kind, kind, `${label}: ${c.kind} (${c.evidence})`);
    assert.ok(c.evidence.length > 0, label);
  }
});

Deno.test("adapter classification: the adapter Deno offers under DENO_WEBGPU_BACKEND=gl is GL-emulated", async () => {
  const script = `import { probeWebgpuAdapter } from ${
    JSON.stringify(new URL("./webgpu_adapter.ts", import.meta.url).href)
  };
    const p = await probeWebgpuAdapter();
    console.log(JSON.stringify(p.adapter ? { kind: p.class.kind, label: p.label } : { reason: p.reason }));`;
  const run = async (backend: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", script],
      env: { DENO_WEBGPU_BACKEND: backend },
      stdout: "piped",
      stderr: "null",
    }).output();
    return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!) as {
      kind?: string;
      label?: string;
      reason?: string;
    };
  };
  const gl = await run("gl");
  if (gl.kind === undefined) {
    console.log(`  no GL adapter here (${gl.reason}): only the classification table above is checked`);
    return;
  }
  assert.equal(gl.kind, "gl", gl.label);
  assert.match(gl.label!, /emulated over OpenGL/);
  const vulkan = await run("vulkan");
  if (vulkan.kind !== undefined) assert.notEqual(vulkan.kind, "gl", vulkan.label);
});
