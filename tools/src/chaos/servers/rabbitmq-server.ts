import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runSync, userIds } from './command';

export interface RabbitPorts {
  amqp: number;
  /** Erlang distribution: rabbitmqctl talks to the node through it. */
  dist: number;
  management: number;
}

const USER = 'rabbitmq';

/**
 * A second RabbitMQ node of our own (`chaos-…@localhost`), with its own ports, mnesia and logs in a temp
 * directory owned by the rabbitmq user (the wrapper scripts switch to it). Stopping and starting it keeps
 * its data: durable quorum queues and their messages survive, as on a real broker restart.
 */
export class PrivateRabbitMq {
  running = false;

  constructor(
    private readonly dir: string,
    readonly ports: RabbitPorts,
    readonly node: string,
  ) {}

  get amqpUrl(): string {
    return `amqp://guest:guest@127.0.0.1:${this.ports.amqp}`;
  }

  get managementUrl(): string {
    return `http://guest:guest@127.0.0.1:${this.ports.management}`;
  }

  private get pidFile(): string {
    return join(this.dir, 'pid');
  }

  private get env(): Record<string, string> {
    return {
      RABBITMQ_NODENAME: this.node,
      RABBITMQ_NODE_PORT: String(this.ports.amqp),
      RABBITMQ_DIST_PORT: String(this.ports.dist),
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_PID_FILE: this.pidFile,
    };
  }

  /** Writes the configuration once; the node keeps its data across start/stop after that. */
  prepare(): void {
    for (const d of [this.dir, join(this.dir, 'mnesia'), join(this.dir, 'log')]) mkdirSync(d, { recursive: true });
    writeFileSync(
      join(this.dir, 'rabbitmq.conf'),
      [
        `listeners.tcp.local = 127.0.0.1:${this.ports.amqp}`,
        `management.tcp.port = ${this.ports.management}`,
        'management.tcp.ip = 127.0.0.1',
        // Queue figures in the management API refresh every second instead of every five.
        'collect_statistics_interval = 1000',
        '',
      ].join('\n'),
    );
    writeFileSync(join(this.dir, 'enabled_plugins'), '[rabbitmq_management].\n');
    if (process.getuid?.() === 0) {
      const { uid, gid } = userIds(USER);
      for (const p of ['', 'mnesia', 'log', 'rabbitmq.conf', 'enabled_plugins']) chownSync(join(this.dir, p), uid, gid);
    }
  }

  async start(timeoutMs = 90_000): Promise<void> {
    // A pid file left by a node that died would make `wait` watch a dead process.
    rmSync(this.pidFile, { force: true });
    await new Promise<void>((resolve, reject) => {
      const child = spawn('rabbitmq-server', ['-detached'], { env: { ...process.env, ...this.env }, stdio: 'ignore' });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`rabbitmq-server -detached exited with ${code}; see ${join(this.dir, 'log')}`))));
    });
    this.running = true;
    // `wait` follows the pid file until the node and its plugins run (await_startup fails if the node is not registered yet).
    await run('rabbitmqctl', ['-n', this.node, 'wait', this.pidFile, '-t', String(Math.round(timeoutMs / 1000))], { env: this.env, timeoutMs: timeoutMs + 5000 });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${this.ports.management}/api/overview`, {
        headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
        signal: AbortSignal.timeout(2000),
      }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`the management API of ${this.node} did not answer on ${this.ports.management}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stops the node and waits until its OS process is gone. */
  async stop(): Promise<void> {
    const args = ['-n', this.node, 'stop', ...(existsSync(this.pidFile) ? [this.pidFile] : [])];
    await run('rabbitmqctl', args, { env: this.env, timeoutMs: 60_000 });
    this.running = false;
  }

  async destroy(): Promise<void> {
    if (!this.running) return;
    await this.stop().catch(() => this.killByPid());
  }

  destroySync(): void {
    if (!this.running) return;
    runSync('rabbitmqctl', ['-n', this.node, 'stop'], { env: this.env, timeoutMs: 20_000 });
    this.killByPid();
  }

  /** Last resort when the node does not answer rabbitmqctl: its OS process, from the pid file. */
  private killByPid(): void {
    try {
      const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // no pid file: the node is gone
    }
    this.running = false;
  }
}
