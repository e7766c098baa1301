import { expect } from 'chai';
import { silentLogger } from '@celeriac/core';
import { Autoscaler } from '../execution/autoscaler.js';

function scaled(bounds = { max: 5, min: 2, keepaliveMs: 1000 }) {
  const target = { size: bounds.min, demand: 0, resize: (size: number) => void (target.size = Math.max(1, size)) };
  const clock = { now: 0 };
  const scaler = new Autoscaler(target, bounds, silentLogger, () => clock.now);
  return { target, clock, scaler };
}

describe('Autoscaler', () => {
  it('grows to the load at once, never above max', () => {
    const { target, scaler } = scaled();
    target.demand = 4;
    scaler.scale();
    expect(target.size).to.equal(4);
    target.demand = 50;
    scaler.scale();
    expect(target.size).to.equal(5);
  });

  it('shrinks to the load, never below min, only after the keepalive without need', () => {
    const { target, clock, scaler } = scaled();
    target.demand = 5;
    scaler.scale();
    target.demand = 0;
    clock.now = 500;
    scaler.scale();
    expect(target.size, 'within the keepalive').to.equal(5);
    clock.now = 1000;
    scaler.scale();
    expect(target.size).to.equal(2);
  });

  it('takes new bounds (control autoscale) and moves the size into them', () => {
    const { target, scaler } = scaled();
    expect(scaler.update(8, 4)).to.deep.equal([8, 4]);
    expect(target.size).to.equal(4);
    expect(scaler.update(3, null)).to.deep.equal([3, 3]);
    expect(target.size).to.equal(3);
    expect(scaler.info).to.deep.equal({ max: 3, min: 3, current: 3, qty: 0 });
  });

  it('pool_grow past max raises max, pool_shrink below min lowers min (Celery force_scale_up/down)', () => {
    const { target, scaler } = scaled();
    scaler.forceScaleUp(5);
    expect([target.size, scaler.info.max]).to.deep.equal([7, 7]);
    scaler.forceScaleDown(6);
    expect([target.size, scaler.info.min]).to.deep.equal([1, 1]);
  });
});
