#!/usr/bin/env python3
"""A TCP proxy that delays every chunk by a fixed time in each direction, for measuring a node
far from its database (the same behaviour as Tests/VesperTestSupport/DelayProxy.swift).

    scripts/delay-proxy.py --listen 127.0.0.1:6543 --target /tmp/pg/.s.PGSQL.5432 --delay-ms 20
    DB_HOST=127.0.0.1 DB_PORT=6543 ... vesper bench drain --store postgres

--target is host:port, or a path for a Unix socket. Loopback only; stops on Ctrl-C.
"""
import argparse
import asyncio


async def pump(reader, writer, delay):
    """Forwards what `reader` yields to `writer`, each chunk `delay` seconds after it arrived, in order."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def read():
        while True:
            data = await reader.read(65536)
            await queue.put((loop.time() + delay, data))
            if not data:
                return

    async def write():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                writer.close()
                return
            writer.write(data)
            await writer.drain()

    await asyncio.gather(read(), write(), return_exceptions=True)


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", default="127.0.0.1:6543")
    parser.add_argument("--target", required=True)
    parser.add_argument("--delay-ms", type=float, default=20)
    args = parser.parse_args()
    delay = args.delay_ms / 1000
    host, port = args.listen.rsplit(":", 1)

    async def handle(client_reader, client_writer):
        if args.target.startswith("/"):
            server_reader, server_writer = await asyncio.open_unix_connection(args.target)
        else:
            target_host, target_port = args.target.rsplit(":", 1)
            server_reader, server_writer = await asyncio.open_connection(target_host, int(target_port))
        await asyncio.gather(pump(client_reader, server_writer, delay), pump(server_reader, client_writer, delay))

    server = await asyncio.start_server(handle, host, int(port))
    print(f"delay-proxy: {args.listen} -> {args.target}, {args.delay_ms} ms each way", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
