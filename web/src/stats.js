// Reading the network path and traffic from RTCPeerConnection.getStats().

/** pathKind names a candidate pair's path: 'relay' when either side is a
 * TURN relay, 'srflx' when either side is a NAT-mapped (server or peer
 * reflexive) address, otherwise 'host' (same network). */
export function pathKind(localType, remoteType) {
  const t = [localType, remoteType];
  if (t.includes('relay')) return 'relay';
  if (t.includes('srflx') || t.includes('prflx')) return 'srflx';
  if (t.includes('host')) return 'host';
  return 'unknown';
}

/** selectedPath finds the selected candidate pair in a stats report (a
 * Map or anything with forEach/get) and returns
 * {kind, local, remote, rtt, bytesReceived, bytesSent}, or null. */
export function selectedPath(report) {
  let pair = null;
  report.forEach((s) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId) || pair;
  });
  if (!pair) {
    report.forEach((s) => {
      if (!pair && s.type === 'candidate-pair' && s.state === 'succeeded' && (s.nominated || s.selected)) pair = s;
    });
  }
  if (!pair) return null;
  const l = report.get(pair.localCandidateId) || {};
  const r = report.get(pair.remoteCandidateId) || {};
  return {
    kind: pathKind(l.candidateType, r.candidateType),
    local: { type: l.candidateType, address: l.address ?? l.ip, port: l.port, protocol: l.protocol, relayProtocol: l.relayProtocol },
    remote: { type: r.candidateType, address: r.address ?? r.ip, port: r.port, protocol: r.protocol },
    rtt: pair.currentRoundTripTime,
    bytesReceived: pair.bytesReceived || 0,
    bytesSent: pair.bytesSent || 0,
  };
}

/** inboundVideo returns the inbound-rtp video entry of a report, or null. */
export function inboundVideo(report) {
  let v = null;
  report.forEach((s) => { if (s.type === 'inbound-rtp' && (s.kind || s.mediaType) === 'video') v = s; });
  return v;
}
