// A DNS "server" for a loopback-only network namespace: it records every query it receives and answers
// NXDOMAIN at once, so a resolver inside the namespace fails fast and every name a program tried is known.
import { createSocket } from "node:dgram";
import type { AddressInfo } from "node:net";

export interface DnsQuery {
  readonly name: string;
  readonly type: string;
}

export interface DnsLogger {
  readonly port: number;
  readonly queries: DnsQuery[];
  close(): Promise<void>;
}

const TYPES: Readonly<Record<number, string>> = { 1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 64: "SVCB", 65: "HTTPS", 255: "ANY" };

/** The question of a DNS query packet (RFC 1035 §4.1.2); undefined when the packet is not a query. */
export function parseQuestion(packet: Buffer): (DnsQuery & { end: number }) | undefined {
  if (packet.length < 12 || (packet.readUInt16BE(2) & 0x8000) !== 0 || packet.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let offset = 12;
  while (offset < packet.length) {
    const len = packet[offset];
    if (len === 0) break;
    if (len > 63 || offset + 1 + len > packet.length) return undefined; // compression is not used in questions
    labels.push(packet.toString("latin1", offset + 1, offset + 1 + len));
    offset += 1 + len;
  }
  if (offset + 5 > packet.length) return undefined;
  const qtype = packet.readUInt16BE(offset + 1);
  return { name: labels.join(".").toLowerCase(), type: TYPES[qtype] ?? `TYPE${qtype}`, end: offset + 5 };
}

/** NXDOMAIN answer echoing the question. */
export function nxdomain(packet: Buffer, questionEnd: number): Buffer {
  const answer = Buffer.from(packet.subarray(0, questionEnd));
  const rd = packet.readUInt16BE(2) & 0x0100;
  answer.writeUInt16BE(0x8000 | rd | 0x0080 | 3, 2); // QR, RD echoed, RA, RCODE=3
  answer.writeUInt16BE(1, 4); // QDCOUNT
  answer.writeUInt16BE(0, 6); // ANCOUNT
  answer.writeUInt16BE(0, 8); // NSCOUNT
  answer.writeUInt16BE(0, 10); // ARCOUNT
  return answer;
}

export async function startDnsLogger(host = "127.0.0.1", port = 53): Promise<DnsLogger> {
  const socket = createSocket("udp4");
  const queries: DnsQuery[] = [];
  socket.on("message", (packet, peer) => {
    const question = parseQuestion(packet);
    if (!question) return;
    queries.push({ name: question.name, type: question.type });
    socket.send(nxdomain(packet, question.end), peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, host, () => resolve());
  });
  return {
    port: (socket.address() as AddressInfo).port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
