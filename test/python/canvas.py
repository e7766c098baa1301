#!/usr/bin/python3
"""Play the Python Celery client with a canvas in interop tests.

  python test/python/canvas.py SPEC_JSON

SPEC_JSON: {"canvas": NODE, "queue": default queue, "timeout": seconds, "wait": true,
            "save": false (GroupResult.save() after sending a group)}
        or {"restore_group": group id, "timeout": seconds}: GroupResult.restore(id).get(), where a
NODE is one of
  {"task": name, "args": [...], "kwargs": {...}, "queue": q, "immutable": bool,
   "link": [NODE...], "link_error": [NODE...]}
  {"chain": [NODE...]}   {"group": [NODE...]}   {"chord": {"header": [NODE...], "body": NODE}}
  {"map"|"starmap": {"task": name, "items": [...], "queue": q}}
  {"chunks": {"task": name, "items": [[args]...], "n": size, "queue": q}} (sent as its group)
Builds it with celery.chain/group/chord/signature, calls apply_async(), then (when "wait")
result.get(). Prints one JSON line: {"status": "SUCCESS"|"FAILURE"|"TIMEOUT", "task_id": ...,
"parents": [ids of result.parent, ...], "result": ..., "exc_type": ..., "exc_message": ...}.
The result backend is celeryconfig.py's (CELERIAC_TEST_RESULT_BACKEND, default rpc://).
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # keep test/python free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def build(app, node):
    from celery import chain, chord, group
    if 'chain' in node:
        return chain(*[build(app, n) for n in node['chain']])
    if 'group' in node:
        return group(*[build(app, n) for n in node['group']])
    if 'map' in node or 'starmap' in node or 'chunks' in node:
        kind = 'map' if 'map' in node else 'starmap' if 'starmap' in node else 'chunks'
        spec = node[kind]
        from celery.canvas import chunks, xmap, xstarmap
        # xmap.apply_async drops the signature's options and routes by the inner task's name.
        if spec.get('queue'):
            app.conf.task_routes = {spec['task']: {'queue': spec['queue']}}
        task = app.signature(spec['task'])
        if kind == 'chunks':
            return chunks(task, spec['items'], spec['n']).group()
        return (xmap if kind == 'map' else xstarmap)(task, spec['items'])
    if 'chord' in node:
        return chord([build(app, n) for n in node['chord']['header']], build(app, node['chord']['body']))
    options = {'queue': node['queue']} if node.get('queue') else {}
    sig = app.signature(node['task'], args=node.get('args', []), kwargs=node.get('kwargs', {}),
                        immutable=node.get('immutable', False), options=options)
    for callback in node.get('link', []):
        sig.link(build(app, callback))
    for errback in node.get('link_error', []):
        sig.link_error(build(app, errback))
    return sig


def parents(result):
    ids = []
    parent = getattr(result, 'parent', None)
    while parent is not None:
        ids.append(parent.id)
        parent = getattr(parent, 'parent', None)
    return ids


def main():
    spec = json.loads(sys.argv[1])
    from celery import Celery
    from celery.exceptions import TimeoutError as CeleryTimeoutError
    app = Celery('canvas')
    app.config_from_object('celeryconfig')
    if spec.get('queue'):
        app.conf.task_default_queue = spec['queue']
    if spec.get('restore_group'):
        result = app.GroupResult.restore(spec['restore_group'])
        if isinstance(result, list):
            # Celery's mongodb backend restores the member results, not a GroupResult.
            result = app.GroupResult(spec['restore_group'], result)
        if result is None:
            sys.stdout.write(json.dumps({'status': 'MISSING', 'task_id': spec['restore_group'], 'parents': []}) + '\n')
            return
    else:
        result = build(app, spec['canvas']).apply_async()
    if spec.get('save'):
        result.save()
    out = {'task_id': result.id, 'parents': parents(result)}
    if not spec.get('wait', True):
        out['status'] = 'SENT'
    else:
        try:
            out['result'] = result.get(timeout=spec.get('timeout', 20), propagate=True)
            out['status'] = 'SUCCESS'
        except CeleryTimeoutError:
            out['status'] = 'TIMEOUT'
        except Exception as e:  # noqa: BLE001 - reported to the test
            out.update(status='FAILURE', exc_type=type(e).__name__, exc_message=str(e))
    sys.stdout.write(json.dumps(out) + '\n')
    app.close()


if __name__ == '__main__':
    main()
